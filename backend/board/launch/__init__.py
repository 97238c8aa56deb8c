"""Launching training runs from the board: a registry of jobs with typed parameters
(`jobs`, `config`) and a supervisor that runs them as subprocesses writing into the logdir
(`supervisor`). Pure logic: the HTTP routes live in board.server.routes.launch."""
