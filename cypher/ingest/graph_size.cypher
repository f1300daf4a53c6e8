// name: ingest.graph_size
// description: How many organisations (merged ones included), aliases, identifiers and PARENT_OF edges the graph holds, from the count store: zero means a first load, written with CREATE.
// mode: read
// returns: size
RETURN COUNT { (:Organisation) } + COUNT { (:Alias) } + COUNT { (:Identifier) } + COUNT { ()-[:PARENT_OF]->() } AS size
