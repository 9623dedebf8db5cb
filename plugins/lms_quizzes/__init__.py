"""The built-in `quizzes` plugin."""
