module benchtools

go 1.26.0
