"""No request, no template: time and periods, the agency tree, audit, tokens, links."""
