"""Text-to-video backends for the ai_video generator: diffusers (LTX-Video) and a fake."""
