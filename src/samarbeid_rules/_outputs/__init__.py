"""Stage 4, outputs: reports rendered for people (text, HTML), CI formats (JSON Lines, JUnit),
and notebook tables and plots.

Imports only from earlier stages.
"""
