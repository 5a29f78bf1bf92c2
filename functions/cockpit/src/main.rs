fn main() -> std::process::ExitCode {
    platform::run("cockpit", cockpit::router)
}
