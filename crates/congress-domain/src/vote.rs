//! Votes and elections: kinds, ballots, validation, tally rules and results. Pure.
