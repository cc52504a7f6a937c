//! Calls of the geo group's methods, each with the reply it must give.

use super::*;

pub(crate) fn geo(r: &Redis) -> Log {
    let mut log = Log::new();
    let places = [
        (13.361389, 38.115556, "Palermo"),
        (15.087269, 37.502669, "Catania"),
    ];
    l!(log, r.geoadd("Sicily", &places, &GeoAddOptions::default()));
    l!(
        log,
        r.geoadd(
            "Sicily",
            &[(13.5, 38.0, "Palermo")],
            &GeoAddOptions::default().nx()
        )
    );
    l!(
        log,
        r.geoadd(
            "Sicily",
            &[(13.361389, 38.115556, "Palermo"), (12.0, 37.0, "Marsala")],
            &GeoAddOptions::default().xx().ch()
        )
    );
    l!(log, r.geodist("Sicily", "Palermo", "Catania", None));
    l!(
        log,
        r.geodist("Sicily", "Palermo", "Catania", Some(GeoUnit::Km))
    );
    l!(log, r.geodist("Sicily", "Palermo", "nope", None));
    l!(
        log,
        r.geohash::<Vec<Option<String>>>("Sicily", ["Palermo", "nope"])
    );
    let pos: Vec<Option<(f64, f64)>> = l!(log, r.geopos("Sicily", ["Palermo", "nope"]));
    assert!((pos[0].unwrap().0 - 13.361389).abs() < 1e-4);
    let near = GeoSearchOptions::default()
        .from_lonlat(15.0, 37.0)
        .by_radius(200.0, GeoUnit::Km);
    l!(
        log,
        r.geosearch::<Vec<String>>("Sicily", &near.clone().asc())
    );
    l!(
        log,
        r.geosearch::<Vec<GeoSearchResult>>(
            "Sicily",
            &near
                .clone()
                .withdist()
                .withcoord()
                .withhash()
                .asc()
                .count(1, false)
        )
    );
    l!(
        log,
        r.geosearch::<Vec<GeoSearchResult>>(
            "Sicily",
            &GeoSearchOptions::default()
                .from_member("Palermo")
                .by_box(400.0, 400.0, GeoUnit::Km)
                .withdist()
                .desc()
        )
    );
    l!(log, r.geosearchstore("dst", "Sicily", &near, false));
    l!(log, r.geosearchstore("dst2", "Sicily", &near, true));
    l!(
        log,
        r.zrange_withscores::<Vec<(String, f64)>>("dst2", 0, -1)
            .map(|v| v
                .into_iter()
                .map(|(m, d)| (m, d.round()))
                .collect::<Vec<_>>())
    );
    l!(
        log,
        r.georadius::<Vec<GeoSearchResult>>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withdist().asc()
        )
    );
    l!(
        log,
        r.georadius::<i64>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().store("gr", false)
        )
    );
    l!(
        log,
        r.georadius_ro::<Vec<GeoSearchResult>>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withcoord().asc()
        )
    );
    l!(
        log,
        r.georadiusbymember::<Vec<String>>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().asc()
        )
    );
    l!(
        log,
        r.georadiusbymember::<i64>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().store("gd", true)
        )
    );
    l!(
        log,
        r.georadiusbymember_ro::<Vec<GeoSearchResult>>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withhash()
        )
    );
    log
}
