//! The `simulation-worker` function: runs the tenant's simulations, per pushed simulation
//! job ([`platform::simulation_runs::SimulationJob`]) that `POST /v1/simulations` queues:
//! the week's tours (a plan's, or those in force) replayed 10,000 times by default, with
//! their progress on the simulation document, then the result.
//!
//! Its own deployable because it differs from `planning` in trigger (Pub/Sub push), scaling
//! (one simulation per instance, all its cores) and ingress (private).
//!
//! Layout: the job, its history and its run are in `platform::simulation_runs` (the
//! `planning` function queues what this one runs, and the planning worker runs a plan's
//! quick simulation with the same code); the replays are the `simulation` crate's.

use platform::routes::Routes;

pub fn router() -> Routes {
    platform::job::route::<platform::simulation_runs::SimulationJob>()
}
