"""Runtime plumbing: settings, the Temporal client and its codec, certificates and search
attributes."""
