fn main() -> std::process::ExitCode {
    platform::run("tours", tours::router)
}
