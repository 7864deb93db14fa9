// Index names, kinds and what they index.
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint
RETURN name, type, labelsOrTypes AS labels, properties, owningConstraint
