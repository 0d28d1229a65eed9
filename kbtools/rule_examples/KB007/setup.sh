# A named pipe where an entry would be.
mkdir -p entries/kong
mkfifo entries/kong/connection-timeout.md
