"""Reference data: countries, distances, macro data, HS products and product groups.

Read from the files atlas-common-data ships (never its web-service loaders: users run offline)
and from small data files of tradegap's own (``tradegap/data``). Every other module reads
reference data only through these functions. Loaded frames are cached; callers get copies.
"""
