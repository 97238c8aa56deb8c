"""Op libraries: each module builds graph ops and registers their infer/kernel/grad."""
