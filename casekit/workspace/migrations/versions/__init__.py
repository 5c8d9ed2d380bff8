"""The workspace's schema revisions, oldest first (see docs/workspace.md, "Changing the contract")."""
