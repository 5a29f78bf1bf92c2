fn main() -> std::process::ExitCode {
    platform::run("sensors", sensors::router)
}
