fn main() -> std::process::ExitCode {
    platform::run("demand-worker", demand_worker::router)
}
