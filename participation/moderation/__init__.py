"""Moderation of comments: reports, screening, the queue, decisions, appeals, blocking."""
