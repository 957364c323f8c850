package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: user add|list", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory")
	noMD5 := fs.Bool("no-md5", false, "store no MD5 secret: the user can only use syncml:auth-basic")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	eng, closeStore, err := openEngine(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()

	switch sub {
	case "add":
		if len(pos) != 1 {
			return fmt.Errorf("%w: user add --data DIR NAME (password on stdin)", errUsage)
		}
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := eng.AddUser(ctx, pos[0], pw, !*noMD5); err != nil {
			return fmt.Errorf("add user %q: %w", pos[0], err)
		}
		fmt.Fprintf(stdout, "user %s added\n", pos[0])
		return nil
	case "list":
		users, err := eng.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tAUTH\tCREATED")
		for _, u := range users {
			auth := "basic,md5"
			if u.MD5Secret == "" {
				auth = "basic"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, auth, u.Created.UTC().Format("2006-01-02 15:04:05Z"))
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: unknown user command %q", errUsage, sub)
}

// readPassword reads the password from the first line of stdin.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: empty password (give it on stdin)", errUsage)
	}
	return pw, nil
}
