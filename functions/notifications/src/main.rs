fn main() -> std::process::ExitCode {
    platform::run("notifications", notifications::router)
}
