"""The reasoners games name in their specifications, one module per kind of planning.

- ``grid``: one agent moves N/E/S/W over a static grid; shortest plan over cell × inventory.
"""
