//! Geospatial commands. <https://redis.io/commands/?group=geo>
//!
//! Searches with WITHDIST/WITHHASH/WITHCOORD convert to
//! [`GeoSearchResult`](crate::types::GeoSearchResult).

macro_rules! geo_commands {
    ($surface:ident) => { $surface! {
        /// Adds `(longitude, latitude, member)` triples; the number added (changed with CH).
        /// <https://redis.io/commands/geoadd>
        "GEOADD" geoadd(key: impl ToArgs, items: &[(f64, f64, impl ToArgs)], options: &GeoAddOptions) -> i64 =
            [key, options, items]; keys(1, 1, 1) flags(WRITE);

        /// Distance between two members, nil if one is missing. <https://redis.io/commands/geodist>
        "GEODIST" geodist(key: impl ToArgs, member1: impl ToArgs, member2: impl ToArgs, unit: Option<GeoUnit>) -> Option<f64> =
            [key, member1, member2, unit]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(Double);

        /// Geohash strings of members. <https://redis.io/commands/geohash>
        "GEOHASH" geohash<T>(key: impl ToArgs, members: impl ToArgs) -> T = [key, members];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Positions `(longitude, latitude)` of members, nil for missing ones.
        /// <https://redis.io/commands/geopos>
        "GEOPOS" geopos<T>(key: impl ToArgs, members: impl ToArgs) -> T = [key, members];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(GeoPos);

        /// Members within an area. <https://redis.io/commands/geosearch>
        "GEOSEARCH" geosearch<T>(key: impl ToArgs, options: &GeoSearchOptions) -> T = [key, options];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(GeoSearch);

        /// GEOSEARCH stored at `destination` (`storedist`: distances as scores); the count.
        /// <https://redis.io/commands/geosearchstore>
        "GEOSEARCHSTORE" geosearchstore(destination: impl ToArgs, source: impl ToArgs, options: &GeoSearchOptions, storedist: bool) -> i64 =
            [destination, source, options, Flag("STOREDIST", storedist)]; keys(1, 2, 1) flags(WRITE);

        /// Members within `radius` of a point (deprecated; STORE/STOREDIST allowed).
        /// <https://redis.io/commands/georadius>
        "GEORADIUS" georadius<T>(key: impl ToArgs, longitude: f64, latitude: f64, radius: f64, unit: GeoUnit, options: &GeoRadiusOptions) -> T =
            [key, longitude, latitude, radius, unit, options];
            keys(fixed 1 keyword "STORE" | "STOREDIST" from 6 One) flags(WRITE) reply(GeoSearch);

        /// Read-only GEORADIUS. <https://redis.io/commands/georadius_ro>
        "GEORADIUS_RO" georadius_ro<T>(key: impl ToArgs, longitude: f64, latitude: f64, radius: f64, unit: GeoUnit, options: &GeoRadiusOptions) -> T =
            [key, longitude, latitude, radius, unit, options]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(GeoSearch);

        /// Members within `radius` of another member. <https://redis.io/commands/georadiusbymember>
        "GEORADIUSBYMEMBER" georadiusbymember<T>(key: impl ToArgs, member: impl ToArgs, radius: f64, unit: GeoUnit, options: &GeoRadiusOptions) -> T =
            [key, member, radius, unit, options];
            keys(fixed 1 keyword "STORE" | "STOREDIST" from 5 One) flags(WRITE) reply(GeoSearch);

        /// Read-only GEORADIUSBYMEMBER. <https://redis.io/commands/georadiusbymember_ro>
        "GEORADIUSBYMEMBER_RO" georadiusbymember_ro<T>(key: impl ToArgs, member: impl ToArgs, radius: f64, unit: GeoUnit, options: &GeoRadiusOptions) -> T =
            [key, member, radius, unit, options]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(GeoSearch);
    } };
}
