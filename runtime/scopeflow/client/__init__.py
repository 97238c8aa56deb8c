"""The client: Session, its config, device placement and compiled execution plans."""
