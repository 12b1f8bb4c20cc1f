"""Process infrastructure shared by worker, command line and tools: configuration from the
environment, logs, the payload codec, the connection to Temporal, the workflow sandbox."""
