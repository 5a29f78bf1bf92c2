fn main() -> std::process::ExitCode {
    platform::run("jobs", jobs::router)
}
