//! Calls of the geo group's methods, each with the reply it must give.
//!
//! The expected values are the server's model worked out by hand: positions are stored as
//! 52-bit geohashes (so a member comes back at the center of its cell, e.g. Palermo at
//! 13.361389338970184, 38.1155563954963), and distances are haversine on a sphere of radius
//! 6372797.560856 m, replied with 4 decimals (1 mi = 1609.34 m, 1 ft = 0.3048 m). The
//! Palermo/Catania figures are those of the Redis documentation.

use super::*;

const PALERMO: (f64, f64) = (13.361389338970184, 38.1155563954963);
const CATANIA: (f64, f64) = (15.087267458438873, 37.50266842333162);
const EDGE1: (f64, f64) = (12.75848776102066, 38.78813451624225);
const EDGE2: (f64, f64) = (17.241510450839996, 38.78813451624225);
const PALERMO_HASH: i64 = 3479099956230698;
const CATANIA_HASH: i64 = 3479447370796909;
const EDGE1_HASH: i64 = 3479273021651468;

/// Distances are replied rounded to 4 decimals.
const DIST_EPS: f64 = 1e-4;
/// Coordinates are the cell centers, replied with 17 significant digits.
const COORD_EPS: f64 = 1e-9;

fn close(a: f64, b: f64, eps: f64) -> bool {
    (a - b).abs() <= eps
}

fn assert_dist(got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("no distance, want {want}"));
    assert!(close(got, want, DIST_EPS), "distance {got}, want {want}");
}

fn assert_coord(got: Option<(f64, f64)>, want: (f64, f64)) {
    let got = got.unwrap_or_else(|| panic!("no coordinates, want {want:?}"));
    assert!(
        close(got.0, want.0, COORD_EPS) && close(got.1, want.1, COORD_EPS),
        "coordinates {got:?}, want {want:?}"
    );
}

/// One expected search result: member, distance, hash, coordinates (each when asked for).
type Want<'a> = (&'a str, Option<f64>, Option<i64>, Option<(f64, f64)>);

fn assert_results(got: &[GeoSearchResult], want: &[Want<'_>]) {
    let members: Vec<&str> = got.iter().map(|g| g.member.as_str()).collect();
    let wanted: Vec<&str> = want.iter().map(|w| w.0).collect();
    assert_eq!(members, wanted, "{got:?}");
    for (g, &(_, dist, hash, coord)) in got.iter().zip(want) {
        match dist {
            Some(d) => assert_dist(g.dist, d),
            None => assert_eq!(g.dist, None, "{g:?}"),
        }
        assert_eq!(g.hash, hash, "{g:?}");
        match coord {
            Some(c) => assert_coord(g.coord, c),
            None => assert_eq!(g.coord, None, "{g:?}"),
        }
    }
}

pub(crate) fn geo(r: &Client) {
    let add = GeoAddOptions::default;
    let places = [
        (13.361389, 38.115556, "Palermo"),
        (15.087269, 37.502669, "Catania"),
    ];
    check!(r.geoadd("{t}Sicily", &places, &add()) => 2);
    // NX leaves Palermo where it is; XX does not add Marsala; CH counts only real moves.
    check!(r.geoadd("{t}Sicily", &[(13.5, 38.0, "Palermo")], &add().nx()) => 0);
    check!(r.geoadd(
        "{t}Sicily",
        &[(13.361389, 38.115556, "Palermo"), (12.0, 37.0, "Marsala")],
        &add().xx().ch()
    ) => 0);
    check!(r.geoadd("moves", &[(1.0, 1.0, "p")], &add()) => 1);
    check!(r.geoadd("moves", &[(2.0, 2.0, "p")], &add()) => 0);
    check!(r.geoadd("moves", &[(3.0, 3.0, "p"), (4.0, 4.0, "q")], &add().ch()) => 2);
    fails!(r.geoadd("moves", &[(200.0, 100.0, "bad")], &add()) => "ERR");
    fails!(r.geoadd("moves", &[(1.0, 1.0, "p")], &add().nx().xx()) => "ERR");
    check!(r.geoadd(
        "{t}Sicily",
        &[(12.758489, 38.788135, "edge1"), (17.241510, 38.788135, "edge2")],
        &add()
    ) => 2);

    // GEODIST in each unit (meters by default), nil when a member or the key is missing.
    let d = call!(r.geodist("{t}Sicily", "Palermo", "Catania", None));
    assert_dist(d, 166274.1516);
    let d = call!(r.geodist("{t}Sicily", "Palermo", "Catania", Some(GeoUnit::M)));
    assert_dist(d, 166274.1516);
    let d = call!(r.geodist("{t}Sicily", "Palermo", "Catania", Some(GeoUnit::Km)));
    assert_dist(d, 166.2742);
    let d = call!(r.geodist("{t}Sicily", "Palermo", "Catania", Some(GeoUnit::Mi)));
    assert_dist(d, 103.3182);
    let d = call!(r.geodist("{t}Sicily", "Palermo", "Catania", Some(GeoUnit::Ft)));
    assert_dist(d, 545518.87);
    check!(r.geodist("{t}Sicily", "Palermo", "Palermo", None) => Some(0.0));
    check!(r.geodist("{t}Sicily", "Palermo", "nope", None) => None);
    check!(r.geodist("missing", "a", "b", Some(GeoUnit::Km)) => None);

    check!(r.geohash::<Vec<Option<String>>>("{t}Sicily", ["Palermo", "Catania", "nope"]) => vec![
        Some("sqc8b49rny0".to_owned()),
        Some("sqdtr74hyu0".to_owned()),
        None
    ]);
    check!(r.geohash::<Vec<Option<String>>>("missing", ["a"]) => vec![None]);

    // GEOPOS: the cell centers, nil for a missing member or key.
    let pos =
        call!(r.geopos::<Vec<Option<(f64, f64)>>>("{t}Sicily", ["Palermo", "nope", "Catania"]));
    assert_eq!(pos.len(), 3, "{pos:?}");
    assert_coord(pos[0], PALERMO);
    assert_eq!(pos[1], None);
    assert_coord(pos[2], CATANIA);
    check!(r.geopos::<Vec<Option<(f64, f64)>>>("missing", ["a", "b"]) => vec![None, None]);

    // GEOSEARCH from (15, 37) within 200 km: Catania at 56.4413 km, Palermo at 190.4424 km
    // (edge1 and edge2 are 279.74 km away).
    let near = || {
        GeoSearchOptions::default()
            .from_lonlat(15.0, 37.0)
            .by_radius(200.0, GeoUnit::Km)
    };
    check!(r.geosearch::<Vec<String>>("{t}Sicily", &near().asc()) => vec!["Catania", "Palermo"]);
    check!(r.geosearch::<Vec<String>>("{t}Sicily", &near().desc()) => vec!["Palermo", "Catania"]);
    check!(r.geosearch::<Vec<String>>("{t}Sicily", &near().asc().count(1, false)) => vec!["Catania"]);
    let any = call!(r.geosearch::<Vec<String>>("{t}Sicily", &near().count(1, true)));
    assert!(
        any == ["Catania"] || any == ["Palermo"],
        "COUNT 1 ANY: {any:?}"
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>("{t}Sicily", &near().withdist().asc()));
    assert_results(
        &got,
        &[
            ("Catania", Some(56.4413), None, None),
            ("Palermo", Some(190.4424), None, None),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>("{t}Sicily", &near().withhash().asc()));
    assert_results(
        &got,
        &[
            ("Catania", None, Some(CATANIA_HASH), None),
            ("Palermo", None, Some(PALERMO_HASH), None),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>("{t}Sicily", &near().withcoord().desc()));
    assert_results(
        &got,
        &[
            ("Palermo", None, None, Some(PALERMO)),
            ("Catania", None, None, Some(CATANIA)),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &near()
            .withdist()
            .withcoord()
            .withhash()
            .asc()
            .count(1, false)
    ));
    assert_results(
        &got,
        &[("Catania", Some(56.4413), Some(CATANIA_HASH), Some(CATANIA))],
    );
    // Every point, by box from (15, 37), nearest first (edge2 is 0.0001 km nearer than edge1).
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &GeoSearchOptions::default()
            .from_lonlat(15.0, 37.0)
            .by_box(400.0, 400.0, GeoUnit::Km)
            .withcoord()
            .withdist()
            .asc()
    ));
    assert_results(
        &got,
        &[
            ("Catania", Some(56.4413), None, Some(CATANIA)),
            ("Palermo", Some(190.4424), None, Some(PALERMO)),
            ("edge2", Some(279.7403), None, Some(EDGE2)),
            ("edge1", Some(279.7405), None, Some(EDGE1)),
        ],
    );
    // A 400 km box around Palermo holds Catania (152 km east, 68 km south) and edge1, not
    // edge2 (336 km east).
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &GeoSearchOptions::default()
            .from_member("Palermo")
            .by_box(400.0, 400.0, GeoUnit::Km)
            .withdist()
            .desc()
    ));
    assert_results(
        &got,
        &[
            ("Catania", Some(166.2742), None, None),
            ("edge1", Some(91.4007), None, None),
            ("Palermo", Some(0.0), None, None),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &GeoSearchOptions::default()
            .from_member("Palermo")
            .by_radius(200.0, GeoUnit::Mi)
            .withdist()
            .asc()
    ));
    assert_results(
        &got,
        &[
            ("Palermo", Some(0.0), None, None),
            ("edge1", Some(56.7939), None, None),
            ("Catania", Some(103.3182), None, None),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &GeoSearchOptions::default()
            .from_member("Palermo")
            .by_radius(100_000.0, GeoUnit::M)
            .withdist()
            .asc()
    ));
    assert_results(
        &got,
        &[
            ("Palermo", Some(0.0), None, None),
            ("edge1", Some(91400.6586), None, None),
        ],
    );
    let got = call!(r.geosearch::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        &GeoSearchOptions::default()
            .from_member("Palermo")
            .by_radius(300_000.0, GeoUnit::Ft)
            .withdist()
            .desc()
    ));
    assert_results(
        &got,
        &[
            ("edge1", Some(299870.9272), None, None),
            ("Palermo", Some(0.0), None, None),
        ],
    );
    check!(r.geosearch::<Vec<String>>(
        "{t}Sicily",
        &GeoSearchOptions::default().from_lonlat(0.0, 0.0).by_radius(1.0, GeoUnit::Km)
    ) => Vec::<String>::new());
    check!(r.geosearch::<Vec<String>>("missing", &near()) => Vec::<String>::new());
    fails!(r.geosearch::<Vec<String>>(
        "{t}Sicily",
        &GeoSearchOptions::default().from_member("nope").by_radius(1.0, GeoUnit::Km)
    ) => "ERR");

    // GEOSEARCHSTORE: members with their geohash as score, or (STOREDIST) their distance in
    // the query's unit.
    check!(r.geosearchstore("{t}dst", "{t}Sicily", &near(), false) => 2);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}dst", 0, -1) => vec![
        ("Palermo".to_owned(), PALERMO_HASH as f64),
        ("Catania".to_owned(), CATANIA_HASH as f64),
    ]);
    check!(r.geosearchstore("{t}dst2", "{t}Sicily", &near(), true) => 2);
    let stored = call!(r.zrange_withscores::<Vec<(String, f64)>>("{t}dst2", 0, -1));
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(
        (stored[0].0.as_str(), stored[1].0.as_str()),
        ("Catania", "Palermo")
    );
    assert_dist(Some(stored[0].1), 56.4413);
    assert_dist(Some(stored[1].1), 190.4424);
    check!(r.geosearchstore("{t}dst3", "{t}Sicily", &near().asc().count(1, false), true) => 1);
    check!(r.zrange::<Vec<String>>("{t}dst3", 0, -1) => vec!["Catania"]);
    check!(r.geosearchstore(
        "{t}dst3",
        "{t}Sicily",
        &GeoSearchOptions::default().from_lonlat(0.0, 0.0).by_radius(1.0, GeoUnit::Km),
        false
    ) => 0);
    check!(r.exists(["{t}dst3"]) => 0);

    // The deprecated GEORADIUS family.
    let radius = GeoRadiusOptions::default;
    let got = call!(r.georadius::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        15.0,
        37.0,
        200.0,
        GeoUnit::Km,
        &radius().withdist().asc()
    ));
    assert_results(
        &got,
        &[
            ("Catania", Some(56.4413), None, None),
            ("Palermo", Some(190.4424), None, None),
        ],
    );
    check!(r.georadius::<i64>("{t}Sicily", 15.0, 37.0, 200.0, GeoUnit::Km, &radius().store("{t}gr", false))
        => 2);
    check!(r.zrange::<Vec<String>>("{t}gr", 0, -1) => vec!["Palermo", "Catania"]);
    let got = call!(r.georadius_ro::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        15.0,
        37.0,
        200.0,
        GeoUnit::Km,
        &radius().withcoord().asc()
    ));
    assert_results(
        &got,
        &[
            ("Catania", None, None, Some(CATANIA)),
            ("Palermo", None, None, Some(PALERMO)),
        ],
    );
    fails!(r.georadius_ro::<i64>("{t}Sicily", 15.0, 37.0, 200.0, GeoUnit::Km, &radius().store("{t}x", false))
        => "ERR");
    check!(r.georadiusbymember::<Vec<String>>("{t}Sicily", "Palermo", 200.0, GeoUnit::Km, &radius().asc())
        => vec!["Palermo", "edge1", "Catania"]);
    check!(r.georadiusbymember::<i64>("{t}Sicily", "Palermo", 200.0, GeoUnit::Km, &radius().store("{t}gd", true))
        => 3);
    let stored = call!(r.zrange_withscores::<Vec<(String, f64)>>("{t}gd", 0, -1));
    let names: Vec<&str> = stored.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(names, ["Palermo", "edge1", "Catania"]);
    assert_dist(Some(stored[0].1), 0.0);
    assert_dist(Some(stored[1].1), 91.4007);
    assert_dist(Some(stored[2].1), 166.2742);
    let got = call!(r.georadiusbymember_ro::<Vec<GeoSearchResult>>(
        "{t}Sicily",
        "Palermo",
        100.0,
        GeoUnit::Km,
        &radius().withhash().asc()
    ));
    assert_results(
        &got,
        &[
            ("Palermo", None, Some(PALERMO_HASH), None),
            ("edge1", None, Some(EDGE1_HASH), None),
        ],
    );
    check!(r.georadiusbymember_ro::<Vec<String>>("{t}Sicily", "Palermo", 1.0, GeoUnit::M, &radius())
        => vec!["Palermo"]);
    fails!(r.georadiusbymember_ro::<Vec<String>>("{t}Sicily", "nope", 1.0, GeoUnit::M, &radius())
        => "ERR");
}
