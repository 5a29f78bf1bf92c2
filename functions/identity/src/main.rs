fn main() -> std::process::ExitCode {
    platform::run("identity", identity::router)
}
