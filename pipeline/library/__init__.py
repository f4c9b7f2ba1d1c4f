"""A person's media library: pictures and clips they uploaded or that stock searches brought
in, and the choice of which one each scene of a video shows."""
