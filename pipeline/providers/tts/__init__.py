"""Narration backends: piper (offline neural), azure (cloud), espeak (espeak-ng)."""
