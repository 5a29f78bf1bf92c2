fn main() -> std::process::ExitCode {
    platform::run("documents", documents::router)
}
