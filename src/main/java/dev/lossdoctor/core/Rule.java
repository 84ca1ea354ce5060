package dev.lossdoctor.core;

import java.util.Optional;

/** A diagnosis, as one of {@link Rules#ORDER}: what it finds in a window's measures, or nothing. */
@FunctionalInterface
interface Rule {
    Optional<Finding> check(Measures m);
}
