"""Activities in a center's rooms: rooms now; programme sheets, events and the kiosk later."""
