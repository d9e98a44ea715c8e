"""Distances on the ground: the one measure of "how far" for the search's walking circles
and the HSDS API's ``proximity``. A district has few centers, so candidates are picked by a
bounding box in the database and measured exactly in Python."""

import math

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_m: float):
    """(min lat, max lat, min lng, max lng) enclosing the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(latitude))))
    return latitude - dlat, latitude + dlat, longitude - dlng, longitude + dlng


def locations_within(latitude: float, longitude: float, radius_m: float) -> dict:
    """Location id → metres from the point, for every located location within ``radius_m``."""
    from catalog.models import Location

    min_lat, max_lat, min_lng, max_lng = bounding_box(latitude, longitude, radius_m)
    candidates = Location.objects.filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng
    ).values_list("pk", "latitude", "longitude")
    distances = {
        pk: haversine_m(latitude, longitude, float(lat), float(lng)) for pk, lat, lng in candidates
    }
    return {pk: metres for pk, metres in distances.items() if metres <= radius_m}
