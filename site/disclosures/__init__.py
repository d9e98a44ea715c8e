"""Posted disclosures (党务·居务·财务公开): boards per center, review by the residents'
supervision committee through signed links, cadence tracking, corrections that keep the
record, and a guard against publishing residents' ID and mobile numbers."""
