"""Everything that talks to Neo4j. The only package that imports ``neo4j`` (a test enforces it).

The driver logs to the ``neo4j`` logger (deadlock retries, server notifications). A library must not print:
without a handler of its own Python's last-resort handler would write those lines into the user's output
(between progress bars). They go nowhere unless the application configures logging (``--debug``).
"""

import logging

logging.getLogger("neo4j").addHandler(logging.NullHandler())
