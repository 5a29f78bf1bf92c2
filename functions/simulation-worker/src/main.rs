fn main() -> std::process::ExitCode {
    platform::run("simulation-worker", simulation_worker::router)
}
