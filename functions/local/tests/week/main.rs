//! From plan to the week's work, across the functions: a new tenant's plan activated keeps
//! its times on the tours and sheets, check-ins at those times are in order, and absences
//! leave stops uncovered until a partial re-plan hands them on; one-off jobs are planned,
//! shown and counted with their week.

mod absences;
mod helpers;
mod new_user;
mod one_off_jobs;
