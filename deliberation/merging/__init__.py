"""Merging (四意合一): what the four stakeholder groups agree on, where they part, how opinion clusters."""
