"""GraphDef -> name-scope hierarchy, aggregated edges, structure/device attributes, layout."""
