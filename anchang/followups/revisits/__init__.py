"""回访计划: a round of revisits to a filtered set of customers, reported and reviewed."""
