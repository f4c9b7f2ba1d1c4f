"""Still-image backends: procedural (Pillow) and diffusers (local text-to-image model)."""
