// Constraint names and what they constrain (pnet db init reports them; tests compare them to the docs).
SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties
RETURN name, type, labelsOrTypes AS labels, properties
