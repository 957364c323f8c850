package main

import (
	"anchorage/admin"
	"anchorage/conflict"
	"anchorage/protocol/engine"
	"anchorage/store"
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const userUsage = `user add --data DIR [--no-md5] NAME   (password read from stdin)
user list --data DIR
` + userSetUsage + `
user show --data DIR NAME`

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	noMD5 := fs.Bool("no-md5", false, "store no MD5 secret: the user can only use syncml:auth-basic")
	db := fs.String("db", "", "set: the datastore the setting is for (default: all the user's datastores)")
	policy := fs.String("conflict", "", "set: conflict policy ("+policyNames()+"), or default to remove the setting")
	deleteWins := fs.Bool("delete-wins", false, "set: a deletion wins over an edit made on another device")
	adminFlag := fs.Bool("admin", false, "add, set: grant the web interface's admin pages (set --admin=false revokes)")
	holdPercent := fs.Int("hold-percent", 0, "set: hold a device session's deletes when they are more than this % of a datastore (100: never; 0: remove the user's setting, the server's applies)")
	holdMin := fs.Int("hold-min", engine.DefaultHoldRule.MinItems, "set, with --hold-percent: ... and at least this many items")
	if isHelp(sub) {
		return subHelp(fs, userUsage)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	open := openEngine
	if sub == "add" {
		open = createEngine // the first user makes the database
	}
	adminGiven, holdGiven := false, false
	fs.Visit(func(f *flag.Flag) {
		adminGiven = adminGiven || f.Name == "admin"
		holdGiven = holdGiven || f.Name == "hold-percent"
	})
	eng, closeStore, err := adminOf(open(*data, quietLogger(stderr)))
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
		if *adminFlag {
			if err := eng.SetUserFlags(ctx, pos[0], adminFlag, nil); err != nil {
				return fmt.Errorf("make user %q an admin: %w", pos[0], err)
			}
		}
		fmt.Fprintf(stdout, "user %s added\n", pos[0])
		return nil
	case "list":
		users, err := eng.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tAUTH\tCREATED\tFLAGS")
		for _, u := range users {
			auth := "basic,md5"
			if u.MD5Secret == "" {
				auth = "basic"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, auth, u.Created.UTC().Format("2006-01-02 15:04:05Z"), userFlags(u))
		}
		return tw.Flush()
	case "set":
		if len(pos) != 1 || (*policy == "" && !adminGiven && !holdGiven) {
			return fmt.Errorf("%w: %s", errUsage, userSetUsage)
		}
		if holdGiven {
			if err := setHold(ctx, eng, pos[0], *holdPercent, *holdMin, stdout); err != nil {
				return err
			}
			if *policy == "" && !adminGiven {
				return nil
			}
		}
		if adminGiven {
			if err := eng.SetUserFlags(ctx, pos[0], adminFlag, nil); err != nil {
				return fmt.Errorf("set admin of user %q: %w", pos[0], err)
			}
			fmt.Fprintf(stdout, "user %s: admin %v\n", pos[0], *adminFlag)
			if *policy == "" {
				return nil
			}
		}
		var rules *conflict.Rules
		if *policy != "default" {
			p, err := conflict.ParsePolicy(*policy)
			if err != nil {
				return fmt.Errorf("%w: --conflict: %v", errUsage, err)
			}
			rules = &conflict.Rules{Policy: p, DeleteWins: *deleteWins}
		}
		if err := eng.SetConflictRules(ctx, pos[0], *db, rules); err != nil {
			var pe *admin.PlainError
			if errors.Is(err, store.ErrNotFound) && rules == nil && !errors.As(err, &pe) {
				return fmt.Errorf("user %s has no setting of its own for %s", pos[0], orAll(*db))
			}
			return err
		}
		if rules == nil {
			fmt.Fprintf(stdout, "user %s, %s: conflict setting removed\n", pos[0], orAll(*db))
		} else {
			fmt.Fprintf(stdout, "user %s, %s: conflict policy %s\n", pos[0], orAll(*db), rules)
		}
		return nil
	case "show":
		if len(pos) != 1 {
			return fmt.Errorf("%w: user show --data DIR NAME", errUsage)
		}
		reports, err := eng.ConflictRules(ctx, pos[0])
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DATASTORE\tCONFLICT POLICY\tDELETE VS EDIT\tSET FOR")
		for _, r := range reports {
			dv := "edit wins"
			if r.Rules.DeleteWins {
				dv = "delete wins"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Datastore, r.Rules.Policy, dv, r.Source)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: unknown user command %q", errUsage, sub)
}

// userFlags lists a user's flags for user list: admin, disabled, or "-".
func userFlags(u store.User) string {
	var fl []string
	if u.Admin {
		fl = append(fl, "admin")
	}
	if u.Disabled {
		fl = append(fl, "disabled")
	}
	if len(fl) == 0 {
		return "-"
	}
	return strings.Join(fl, ",")
}

func orAll(db string) string {
	if db == "" {
		return "all datastores"
	}
	if name, ok := engine.ResolveDatastore(db); ok {
		return name
	}
	return db
}

// policyNames lists the conflict policies for flag help.
func policyNames() string {
	names := make([]string, len(conflict.Policies))
	for i, p := range conflict.Policies {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
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

const userSetUsage = "user set --data DIR [--db NAME] [--conflict POLICY|default [--delete-wins]] [--admin[=false]]\n" +
	"         [--hold-percent N [--hold-min M]] NAME"

// setHold stores (or with percent 0 removes) a user's mass-deletion
// threshold.
func setHold(ctx context.Context, eng *admin.Admin, user string, percent, minItems int, stdout io.Writer) error {
	found, err := eng.SetHoldRule(ctx, user, percent, minItems)
	switch {
	case err != nil:
		return err
	case percent == 0 && !found:
		fmt.Fprintf(stdout, "user %s has no hold threshold of its own; the server's applies\n", user)
	case percent == 0:
		fmt.Fprintf(stdout, "user %s: hold threshold removed; the server's applies\n", user)
	case percent >= 100:
		fmt.Fprintf(stdout, "user %s: mass deletions are never held\n", user)
	default:
		fmt.Fprintf(stdout, "user %s: a session deleting more than %d %% of a datastore, and at least %d items, is held\n", user, percent, minItems)
	}
	return nil
}
