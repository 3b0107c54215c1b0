"""Coverage for planners: where many newcomers live and few services of a type or language are in reach.

``measures`` holds the math (nearest distance, services within a catchment, 2SFCA, gap index),
``zones`` the neighbourhoods with their census demand, ``view`` the table one choice of service,
language and catchment gives (with CSV/GeoJSON export and the per-directory-version cache),
``runtime`` the data on the running app, ``access`` who may see it.
"""
