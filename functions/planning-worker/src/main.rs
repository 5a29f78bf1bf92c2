fn main() -> std::process::ExitCode {
    platform::run("planning-worker", planning_worker::router)
}
