"""Pure rules that several rooms share, each written once: text keys, the filter predicate and ranking,
postal codes, the Edmonton region, phone and hours formats, safe web addresses, spreadsheet cells.

Nothing here touches a database, a request or a file; rules with a JavaScript twin in
``assets/elip_map.js`` are checked against the same truth tables in the browser.
"""
