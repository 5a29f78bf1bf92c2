fn main() -> std::process::ExitCode {
    platform::run("workload-report", workload_report::router)
}
