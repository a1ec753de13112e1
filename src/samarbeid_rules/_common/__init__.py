"""Stage 0, below the pipeline: the library's errors, its version and calendar arithmetic (Europe/Oslo, working days, ages).

Every later stage may import from here; nothing here imports from a later stage.
"""
