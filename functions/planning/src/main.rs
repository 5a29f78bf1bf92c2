fn main() -> std::process::ExitCode {
    platform::run("planning", planning::router)
}
