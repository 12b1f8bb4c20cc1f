"""Developer tools: the local stack `make run` starts (devstack), its demo, the codec server."""
