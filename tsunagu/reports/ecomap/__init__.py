"""エコマップ: the ties of a person or a household to the agencies, meetings, places and
watchers around them, as the viewer may see them (:mod:`.graph`), drawn as SVG (:mod:`.svg`)."""
