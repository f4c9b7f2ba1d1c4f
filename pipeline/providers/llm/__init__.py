"""Planner backends: local (offline), gemini, openai (any OpenAI-compatible endpoint)."""
